"""An enumerator's hands on the phone app: every answer is tapped or typed through the real
UI (no hook fills the form), and the effort is counted as a person would feel it — taps,
dropdown picks, typed fields and screen heights scrolled — while every screen is checked
for horizontal overflow and for English or error codes on show."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from survey.questionnaires import get_version
from tests.conftest import TEST_PASSWORD

QUESTIONNAIRE = json.loads(json.dumps(get_version("2560-2564").to_dict()))
QUESTIONS = {q["id"]: q for q in QUESTIONNAIRE["questions"]}
LAND = {f["name"]: f for f in QUESTIONNAIRE["household_fields"] if f["type"] == "choice"}
# What a user must never see: error codes, raw field paths, English words.
ENGLISH = re.compile(r"[A-Z]{2,}_[A-Z_]+|\b[a-z]+_[a-z_]+\b|\b(?:invalid|error|null|undefined|"
                     r"NaN|na|HTTP)\b")


def code_index(code_list: str, value) -> str:
    return str([v["value"] for v in QUESTIONNAIRE["code_lists"][code_list]["values"]].index(value))


@dataclass
class Enumerator:
    page: object
    taps: int = 0
    picks: int = 0
    typed: int = 0
    next_taps: int = 0  # of the taps, those on "next"
    screens: list = field(default_factory=list)
    not_asked: dict = field(default_factory=dict)  # member's first name → fields not shown
    roster_text: str = ""

    # ---- hands ----------------------------------------------------------------------
    def tap(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.taps += 1

    def type(self, selector: str, text: str) -> None:
        self.page.locator(selector).first.fill(str(text))
        self.typed += 1

    def pick(self, selector: str, index: str) -> None:
        self.page.locator(selector).first.select_option(index)
        self.picks += 1

    # ---- eyes -----------------------------------------------------------------------
    def screen(self, name: str) -> None:
        """Wait for a screen, then check it as a user would see it."""
        self.page.wait_for_selector(f'main[data-screen="{name}"]')
        self.look(name)

    def look(self, name: str) -> None:
        page = self.page
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"{name}: the page is {width[0]} px wide on a {width[1]} px screen"
        visible = page.evaluate("document.body.innerText")
        shown = ENGLISH.findall(visible)
        assert not shown, f"{name}: English or codes on screen: {shown}"
        small = page.evaluate("""() => [...document.querySelectorAll(
            "button, a, label.choice, .chip, select, input:not([type=radio]):not([type=checkbox])")]
            .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44
                         && !e.closest(".chip, label.choice, .msg, .note, p, li small"))
            .map(e => `${e.tagName} ${e.id || e.className} ${Math.round(e.getBoundingClientRect().height)}px`)""")
        assert not small, f"{name}: touch targets under 44 px: {small}"
        heights = page.evaluate("document.documentElement.scrollHeight / innerHeight")
        self.screens.append((name, round(heights, 1)))

    def effort(self) -> dict:
        """What the interview cost since sign-in: screens beyond their first height were
        scrolled through."""
        screens = [h for name, h in self.screens if name.startswith("edit:")]
        return {"taps": self.taps, "of_which_next": self.next_taps, "dropdown_picks": self.picks,
                "typed_fields": self.typed,
                "screens": len(screens), "screen_heights_scrolled": round(
                    sum(max(0.0, h - 1) for h in screens), 1)}

    def reset(self) -> None:
        self.taps = self.picks = self.typed = self.next_taps = 0
        self.screens = []

    # ---- the app --------------------------------------------------------------------
    def sign_in(self, user, village: str) -> None:
        page = self.page
        page.goto("/collect/")
        self.screen("login")
        self.type("input[name=username]", user.username)
        self.type("input[name=password]", TEST_PASSWORD)
        assert not page.locator("#back").is_visible()
        self.tap("form#login button")
        page.wait_for_selector(f'[data-new="{village}"]')
        page.evaluate("navigator.serviceWorker.ready")  # offline start-up from now on
        self.screen("home")
        assert not page.locator("#back").is_visible()

    def start(self, village: str, house_code: str | None, house_number: str) -> str:
        self.tap(f'[data-new="{village}"]')
        self.screen("edit:house")
        if house_code:
            self.type("#house_code", house_code)
        self.type("#house_number", house_number)
        return self.page.evaluate("location.hash").split("/")[1]

    def next(self) -> str:
        """Tap "next" and return the screen it led to (the same one when it only marked
        unanswered questions)."""
        before = self.page.evaluate("location.hash")
        self.tap("#next")
        self.next_taps += 1
        self.page.wait_for_function(
            "h => location.hash !== h"
            " ? document.querySelector('main')?.dataset.screen === 'edit:' + location.hash.split('/')[2]"
            " : !!document.querySelector('.q.missing, #house_number-msg:not(:empty)')", arg=before)
        return self.page.evaluate("document.querySelector('main').dataset.screen")

    def answer_land(self, household: dict) -> None:
        for name in LAND:
            self.answer({"id": name, "widget": "choice", "options": LAND[name]["options"]},
                        household[name])

    def add_member(self, member: dict) -> None:
        page = self.page
        self.tap("#add-member")
        page.wait_for_selector("#mform")
        for f in QUESTIONNAIRE["member_fields"]:
            name, value = f["name"], member.get(f["name"])
            box = page.locator(f'[data-field="{name}"]')
            if not box.is_visible():  # the relationship of the head, the schooling of an infant
                self.not_asked.setdefault(member["first_name"], set()).add(name)
                continue
            if f["type"] == "code":
                index = code_index(f["code_list"], value)
                chips = page.locator(f"fieldset#m-{name}")
                if chips.count():
                    if not chips.locator(f'input[value="{index}"]').is_checked():
                        self.tap(f'fieldset#m-{name} label:has(input[value="{index}"])')
                elif page.locator(f"#m-{name}").input_value() != index:
                    self.pick(f"#m-{name}", index)
            elif f["type"] == "boolean":
                if page.locator(f"#m-{name}").is_checked() != bool(value):
                    self.tap(f'[data-field="{name}"]')
            else:
                self.type(f"#m-{name}", value or "")
        self.tap("#mform button.primary")
        page.wait_for_selector("#member-form:empty", state="attached")

    def answer(self, question: dict, value) -> None:
        """Tap the option(s) of one question and type or pick what they ask."""
        qid, box = question["id"], f'[data-qbox="{question["id"]}"]'
        if question["widget"] == "number":
            self.type(f"{box} [data-input]", value)
            return
        if question["widget"] == "checkbox":
            if value:
                self.tap(f"{box} label.choice")
            return
        for entry in value if isinstance(value, list) else [value]:
            self.tap(f'{box} label.choice:has([data-choice="{entry["option"]}"])')
            option = next(o for o in question["options"] if o["value"] == entry["option"])
            for spec in option.get("inputs") or []:
                if spec["name"] not in entry:
                    continue
                selector = (f'[data-q="{qid}"][data-opt="{entry["option"]}"]'
                            f'[data-input="{spec["name"]}"]')
                if spec["kind"] == "code":
                    self.pick(selector, code_index(spec["code_list"], entry[spec["name"]]))
                else:
                    self.type(selector, entry[spec["name"]])

    def answer_screen(self, answers: dict) -> None:
        """Answer what the screen shows, top to bottom; an answer may reveal follow-ups."""
        done = set()
        while True:
            shown = self.page.eval_on_selector_all("#step [data-qbox]:not([hidden])",
                                                   "els => els.map(e => e.dataset.qbox)")
            todo = [q for q in shown if q not in done and answers.get(q) is not None]
            if not todo:
                return
            self.answer(QUESTIONS[todo[0]], answers[todo[0]])
            done.add(todo[0])

    def interview(self, household: dict) -> None:
        """From the house screen to the summary, answering as the household did."""
        self.answer_land(household)
        self.look("edit:house (answered)")
        assert self.next() == "edit:members"
        self.screen("edit:members")
        for member in household["members"]:
            self.add_member(member)
        self.look("edit:members (typed)")
        self.roster_text = self.page.text_content(".members")
        screen = self.next()
        while screen.startswith("edit:q"):
            self.screen(screen)
            self.answer_screen(household["answers"])
            left, screen = screen, self.next()
            if screen == left:
                missing = self.page.eval_on_selector_all(".q.missing",
                                                         "els => els.map(e => e.dataset.qbox)")
                raise AssertionError(f"{left}: unanswered after answering: "
                                     f"{[(q, household['answers'].get(q)) for q in missing]}")
        self.screen("edit:summary")
        self.tap(f'#happiness label:has(input[value="{household["happiness"]}"])')

    def correct_returned(self, house_number: str) -> None:
        """Open the returned household, correct its house number, sign again and send."""
        self.tap(".rec.returned a")
        self.tap("#edit")
        self.screen("edit:house")
        self.type("#house_number", house_number)
        self.tap("#to-summary")
        self.screen("edit:summary")
        self.sign_and_finish()
        self.page.wait_for_selector('main[data-screen="record:sent"]')

    def results_shown(self) -> dict:
        return {int(li.get_attribute("data-ind")):
                li.query_selector(".outcome").get_attribute("data-outcome")
                for li in self.page.query_selector_all(".ind")}

    def sign_and_finish(self, *, gps: bool = True, try_unsigned: bool = False,
                        then: str = 'main[data-screen^="record:"]') -> None:
        """Sign, confirm, locate and finish; wait for ``then`` (the record's page, or
        whatever the test expects to follow: a revoked phone is sent to sign in again)."""
        page = self.page
        if not page.evaluate("location.hash").endswith("/sign"):
            self.next()
        self.screen("edit:sign")
        if try_unsigned:  # finishing unsigned asks for the signature, until there is one
            self.tap("#finish")
            assert page.text_content("#sig-msg") == QUESTIONNAIRE["consent"]["signature_missing_th"]
        page.locator("#sig").scroll_into_view_if_needed()
        box = page.locator("#sig").bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 120, box["y"] + 100, steps=8)
        page.mouse.move(box["x"] + 220, box["y"] + 50, steps=8)
        page.mouse.up()
        self.taps += 1
        assert page.text_content("#sig-msg") == ""
        self.tap("label.choice:has(#confirm)")
        if gps:
            self.tap("#gps-get")
            page.wait_for_selector("#gps-status:has-text('ละติจูด')")
        else:
            self.type("#gps-reason", "ไม่มีสัญญาณ GPS ในบ้าน")
        self.tap("#finish")
        page.wait_for_selector(then)
