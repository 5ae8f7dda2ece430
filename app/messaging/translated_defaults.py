"""The shipped message templates in French (Canada) and Portuguese (Portugal).

Same variables as the English defaults in ``templates.py``; what the variables hold
(``when``, ``reminder_in``, amounts) is formatted in the message's language by compose.
A manager's own template in a language wins over these (``templates.template_for``).
"""
from __future__ import annotations

from app.messaging.templates import CLIENT, PROVIDER, Template


def _appointment(with_word: str, minutes: str) -> tuple[str, str]:
    text = ("{{ service }} " + with_word + " {{ provider_name }}\n{{ when }} ({{ duration }} " + minutes + ")\n"
            "{{ location_name }}{% if location_address %}, {{ location_address }}{% endif %}")
    html = ("<p><strong>{{ service }}</strong> " + with_word + " {{ provider_name }}<br>\n{{ when }} ({{ duration }} "
            + minutes + ")<br>\n{{ location_name }}{% if location_address %}, {{ location_address }}{% endif %}</p>")
    return text, html


def _manage(text_label: str, link_label: str) -> tuple[str, str]:
    return ("{% if manage_url %}\n\n" + text_label + " {{ manage_url }}{% endif %}",
            '{% if manage_url %}<p><a href="{{ manage_url }}">' + link_label + "</a></p>{% endif %}")


_SIGN = "\n\n{{ clinic.name }}{% if clinic.phone %} · {{ clinic.phone }}{% endif %}"


def _language(words: dict[str, str]) -> dict[tuple[str, str], Template]:
    appt_text, appt_html = _appointment(words["with"], words["minutes"])
    manage_text, manage_html = _manage(words["manage_text"], words["manage_link"])
    hello_t, hello_h = words["hello"] + " {{ client_name }},\n\n", "<p>" + words["hello"] + " {{ client_name }},</p>"

    def client(subject, lead, extra_text="", extra_html="", manage=True):
        return Template(subject,
                        hello_t + lead + "\n\n" + appt_text + (manage_text if manage else "") + extra_text + _SIGN,
                        hello_h + "<p>" + lead + "</p>" + appt_html + (manage_html if manage else "") + extra_html)

    def provider(subject, lead):
        return Template(subject, lead + "\n\n{{ client_name }}\n" + appt_text,
                        "<p>" + lead + "</p><p>{{ client_name }}</p>" + appt_html)

    return {
        ("confirmation", CLIENT): client(words["confirmation_subject"], words["confirmation_lead"]),
        ("change", CLIENT): client(words["change_subject"], words["change_lead"]),
        ("cancellation", CLIENT): client(words["cancellation_subject"], words["cancellation_lead"],
                                         "\n\n" + words["call_to_rebook"], "<p>" + words["call_to_rebook"] + "</p>",
                                         manage=False),
        ("no_show", CLIENT): client(words["no_show_subject"], words["no_show_lead"],
                                    "\n\n" + words["contact_to_rebook"], "<p>" + words["contact_to_rebook"] + "</p>",
                                    manage=False),
        ("reminder", CLIENT): client(words["reminder_subject"], words["reminder_lead"]),
        ("confirmation", PROVIDER): provider(words["p_confirmation_subject"], words["p_confirmation_lead"]),
        ("change", PROVIDER): provider(words["p_change_subject"], words["p_change_lead"]),
        ("cancellation", PROVIDER): provider(words["p_cancellation_subject"], words["p_cancellation_lead"]),
        ("no_show", PROVIDER): provider(words["p_no_show_subject"], words["p_no_show_lead"]),
        ("invoice", CLIENT): Template(
            words["invoice_subject"],
            hello_t + words["invoice_text"] + _SIGN,
            hello_h + "<p>" + words["invoice_text"] + "</p>"),
        ("login_code", CLIENT): Template(
            words["code_subject"], words["code_text"] + "\n\n" + words["code_ignore"] + _SIGN,
            "<p>" + words["code_html"] + "</p><p>" + words["code_ignore"] + "</p>"),
        ("waitlist_offer", CLIENT): Template(
            words["offer_subject"], words["offer_text"] + _SIGN, words["offer_html"]),
    }


FRENCH = _language({
    "hello": "Bonjour", "with": "avec", "minutes": "minutes",
    "manage_text": "Pour modifier ou annuler :", "manage_link": "Modifier ou annuler",
    "confirmation_subject": "Votre rendez-vous chez {{ clinic.name }} : {{ when }}",
    "confirmation_lead": "Votre rendez-vous est réservé :",
    "change_subject": "Votre rendez-vous a changé : {{ when }}",
    "change_lead": "Votre rendez-vous est maintenant :",
    "cancellation_subject": "Votre rendez-vous du {{ when }} est annulé",
    "cancellation_lead": "Ce rendez-vous est annulé :",
    "call_to_rebook": "Appelez-nous pour réserver une autre plage.",
    "no_show_subject": "Nous vous avons manqué {{ visit_day }} chez {{ clinic.name }}",
    "no_show_lead": "Nous vous avons attendu à votre rendez-vous :",
    "contact_to_rebook": "Veuillez nous contacter pour prendre un nouveau rendez-vous.",
    "reminder_subject": "Rappel : {{ service }} le {{ when }}",
    "reminder_lead": "Un rappel de votre rendez-vous dans {{ reminder_in }} :",
    "p_confirmation_subject": "Nouvelle réservation : {{ client_name }}, {{ when }}",
    "p_confirmation_lead": "Nouvelle réservation à votre horaire :",
    "p_change_subject": "Modifié : {{ client_name }}, maintenant {{ when }}",
    "p_change_lead": "Un rendez-vous à votre horaire a changé :",
    "p_cancellation_subject": "Annulé : {{ client_name }}, {{ when }}",
    "p_cancellation_lead": "Un rendez-vous à votre horaire a été annulé :",
    "p_no_show_subject": "Absence : {{ client_name }}, {{ when }}",
    "p_no_show_lead": "Marqué comme absent :",
    "invoice_subject": "Facture {{ invoice_number }} de {{ clinic.name }}",
    "invoice_text": "Votre facture {{ invoice_number }}{% if amount %} de {{ amount }}{% endif %} est jointe.",
    "code_subject": "Votre code de connexion {{ clinic.name }} : {{ code }}",
    "code_text": "Votre code de connexion est {{ code }}. Il est valide {{ minutes }} minutes.",
    "code_html": 'Votre code de connexion est <strong style="font-size:1.4em">{{ code }}</strong>. '
                 "Il est valide {{ minutes }} minutes.",
    "code_ignore": "Si vous ne l'avez pas demandé, ignorez ce courriel.",
    "offer_subject": "Une plage s'est libérée : {{ service }} le {{ when }}",
    "offer_text": "Bonne nouvelle : {{ service }}{% if provider %} avec {{ provider }}{% endif %} le {{ when }} est libre."
                  "\n\nRéservez-la ici (premier arrivé, premier servi) : {{ claim_url }}",
    "offer_html": "<p>Bonne nouvelle : <strong>{{ service }}</strong>{% if provider %} avec {{ provider }}{% endif %}"
                  ' le {{ when }} est libre.</p><p><a href="{{ claim_url }}">Réserver cette plage</a>'
                  " (premier arrivé, premier servi)</p>",
})

PORTUGUESE = _language({
    "hello": "Olá", "with": "com", "minutes": "minutos",
    "manage_text": "Para alterar ou cancelar:", "manage_link": "Alterar ou cancelar",
    "confirmation_subject": "A sua consulta na {{ clinic.name }}: {{ when }}",
    "confirmation_lead": "A sua consulta está marcada:",
    "change_subject": "A sua consulta foi alterada: {{ when }}",
    "change_lead": "A sua consulta é agora:",
    "cancellation_subject": "A sua consulta de {{ when }} foi cancelada",
    "cancellation_lead": "Esta consulta foi cancelada:",
    "call_to_rebook": "Ligue-nos para marcar outro horário.",
    "no_show_subject": "Sentimos a sua falta {{ visit_day }} na {{ clinic.name }}",
    "no_show_lead": "Esperámos por si na sua consulta:",
    "contact_to_rebook": "Contacte-nos para voltar a marcar.",
    "reminder_subject": "Lembrete: {{ service }}, {{ when }}",
    "reminder_lead": "Um lembrete da sua consulta daqui a {{ reminder_in }}:",
    "p_confirmation_subject": "Nova marcação: {{ client_name }}, {{ when }}",
    "p_confirmation_lead": "Nova marcação na sua agenda:",
    "p_change_subject": "Alterada: {{ client_name }}, agora {{ when }}",
    "p_change_lead": "Uma consulta na sua agenda foi alterada:",
    "p_cancellation_subject": "Cancelada: {{ client_name }}, {{ when }}",
    "p_cancellation_lead": "Uma consulta na sua agenda foi cancelada:",
    "p_no_show_subject": "Falta: {{ client_name }}, {{ when }}",
    "p_no_show_lead": "Marcada como falta:",
    "invoice_subject": "Fatura {{ invoice_number }} da {{ clinic.name }}",
    "invoice_text": "Segue em anexo a sua fatura {{ invoice_number }}{% if amount %} no valor de {{ amount }}{% endif %}.",
    "code_subject": "O seu código de acesso {{ clinic.name }}: {{ code }}",
    "code_text": "O seu código de acesso é {{ code }}. É válido durante {{ minutes }} minutos.",
    "code_html": 'O seu código de acesso é <strong style="font-size:1.4em">{{ code }}</strong>. '
                 "É válido durante {{ minutes }} minutos.",
    "code_ignore": "Se não o pediu, ignore este email.",
    "offer_subject": "Ficou um horário livre: {{ service }} a {{ when }}",
    "offer_text": "Boas notícias: {{ service }}{% if provider %} com {{ provider }}{% endif %} a {{ when }} está livre."
                  "\n\nMarque aqui (por ordem de chegada): {{ claim_url }}",
    "offer_html": "<p>Boas notícias: <strong>{{ service }}</strong>{% if provider %} com {{ provider }}{% endif %}"
                  ' a {{ when }} está livre.</p><p><a href="{{ claim_url }}">Marcar este horário</a>'
                  " (por ordem de chegada)</p>",
})

def _texts(words: dict[str, str]) -> dict[tuple[str, str], Template]:
    """Text messages (SMS, WhatsApp): plain text only, kept short (every accent makes a
    segment 70 characters instead of 160, so these say as little as the English ones)."""
    from app.messaging.templates import SMS_PREFIX

    manage = "{% if manage_url %} " + words["manage"] + " {{ manage_url }}{% endif %}"
    texts = {
        "confirmation": "{{ clinic.name }}: " + words["booked"] + manage,
        "change": "{{ clinic.name }}: " + words["changed"] + manage,
        "cancellation": "{{ clinic.name }}: " + words["canceled"]
                        + "{% if location_phone %} " + words["rebook"] + " {{ location_phone }}{% endif %}",
        "no_show": "{{ clinic.name }}: " + words["missed"]
                   + "{% if location_phone %} " + words["rebook"] + " {{ location_phone }}{% endif %}",
        "reminder": words["reminder"] + manage + " " + words["stop"],
        "login_code": words["code"],
    }
    return {(SMS_PREFIX + kind, CLIENT): Template("", text, "") for kind, text in texts.items()}


FRENCH.update(_texts({
    "manage": "Modifier/annuler :", "rebook": "Pour reprendre rendez-vous :",
    "booked": "{{ service }} réservé le {{ date_short }} {{ time }}, {{ location_name }}.",
    "changed": "votre {{ service }} est maintenant le {{ date_short }} {{ time }}, {{ location_name }}.",
    "canceled": "votre {{ service }} du {{ date_short }} {{ time }} est annulé.",
    "missed": "nous vous avons attendu {{ visit_day }}.",
    "reminder": "Rappel : {{ service }} le {{ date_short }} {{ time }}, {{ location_name }}.",
    "stop": "Répondez STOP pour ne plus recevoir de textos.",
    "code": "{{ code }} est votre code de connexion {{ clinic.name }} ({{ minutes }} min).",
}))
PORTUGUESE.update(_texts({
    "manage": "Alterar/cancelar:", "rebook": "Para remarcar:",
    "booked": "{{ service }} marcado para {{ date_short }} {{ time }}, {{ location_name }}.",
    "changed": "a sua consulta de {{ service }} passou para {{ date_short }} {{ time }}, {{ location_name }}.",
    "canceled": "a sua consulta de {{ service }} de {{ date_short }} {{ time }} foi cancelada.",
    "missed": "sentimos a sua falta {{ visit_day }}.",
    "reminder": "Lembrete: {{ service }} {{ date_short }} {{ time }}, {{ location_name }}.",
    "stop": "Responda STOP para deixar de receber SMS.",
    "code": "{{ code }} é o seu código de acesso {{ clinic.name }} ({{ minutes }} min).",
}))

TRANSLATED = {"fr_CA": FRENCH, "pt_PT": PORTUGUESE}
