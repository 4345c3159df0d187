"""The officers' pages for running a round (Thai, laptop and tablet): round set-up and
allocations, village targets, volunteers and their phones, progress (the officers' home
page), households, the standard reports and payments. Routes parse forms, ask the policy
and call the survey's services; every figure is scoped like the API's."""
from flask import Blueprint

bp = Blueprint("survey_pages", __name__, template_folder="../templates")


def init_app(app) -> None:
    from app.auth.policy import Action
    from app.web.routes import add_menu_item
    from survey.pages import households, payments, progress, rounds, volunteers  # noqa: F401

    app.register_blueprint(bp)
    add_menu_item("ความก้าวหน้าการจัดเก็บ", "survey_pages.progress", Action.AGGREGATE_READ,
                  home=True)
    add_menu_item("ครัวเรือน", "survey_pages.households", Action.HOUSEHOLD_READ)
    add_menu_item("รายงานมาตรฐาน", "survey_pages.reports", Action.AGGREGATE_READ)
    add_menu_item("อาสาสมัครและโทรศัพท์", "survey_pages.volunteers", Action.ASSIGNMENT_MANAGE)
    add_menu_item("ค่าตอบแทนอาสาสมัคร", "survey_pages.payments", Action.AGGREGATE_READ)
    add_menu_item("รอบการจัดเก็บและการจัดสรรเป้าหมาย", "survey_pages.rounds",
                  Action.ROUND_MANAGE)
    add_menu_item("แผนเป้าหมายครัวเรือนและงบประมาณ", "survey_pages.allocations",
                  Action.REGISTER_IMPORT)
