from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose

from app.security import PROVIDER, READ, REPORTS, current_user, may, role_names, sees_everything


class PlinthIndexView(IndexView):
    """The home page; for managers it carries the dashboard (app/reports/dashboard.py)."""

    index_template = "plinth/index.html"

    @expose("/")
    def index(self):
        # A provider's landing page is their day (app/views/clinical.py).
        if PROVIDER in role_names(getattr(g, "user", None)):
            return redirect(url_for("ClinicalView.day"))
        user = current_user()
        board = None
        if user is not None and getattr(user, "is_authenticated", False) and sees_everything(user) \
                and may(user, READ, REPORTS):
            from app.reports import dashboard

            board = {"today": dashboard.today(), "trends": dashboard.trends(), "window": dashboard.WINDOW_DAYS}
        return self.render_template(self.index_template, appbuilder=self.appbuilder, dashboard=board)
