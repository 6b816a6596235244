"""Blueprint registration and the error pages."""

from flask import Flask, render_template


def init_app(app: Flask) -> None:
    from .dashboard import bp as dashboard

    app.register_blueprint(dashboard)

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/500.html"), 500
