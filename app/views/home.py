from flask_appbuilder import IndexView


class PlinthIndexView(IndexView):
    index_template = "plinth/index.html"
