"""Notifications and reminders: the outbox, its delivery, templates, channels.

* ``outbox.queue_email(...)``: any area's way to send an email (written in the caller's
  transaction, sent after commit, once).
* ``planning``: what appointment changes put in the outbox (receivers of app.events).
* ``delivery.deliver_batch``: the RQ job that sends a batch of messages, each claimed,
  re-checked and recorded on its own; ``dispatch``: batches onto the queue after commit,
  and ``dispatch.sweep``, the periodic job that re-enqueues what is due or stuck.
* ``channels``: SendGrid or ``.eml`` files, Twilio (SMS, WhatsApp) or ``.sms.txt`` files,
  behind one interface; ``consent`` decides who may get texts, ``quiet`` when.
* ``webhook``: SendGrid's signed event webhook (delivered, bounce, open...);
  ``twilio_webhook``: Twilio's delivery reports and STOP / START / HELP replies.

``planning.connect()`` subscribes to the domain events; ``create_app`` calls it
(``configure_receivers``), importing this package does nothing.
"""
