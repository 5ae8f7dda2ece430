def register_apis(appbuilder) -> None:
    pass
