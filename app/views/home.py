from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose

from app.security import PROVIDER, role_names


class PlinthIndexView(IndexView):
    index_template = "plinth/index.html"

    @expose("/")
    def index(self):
        # A provider's landing page is their day (app/views/clinical.py).
        if PROVIDER in role_names(getattr(g, "user", None)):
            return redirect(url_for("ClinicalView.day"))
        return super().index()
