"""The fixed, namespaced list of rejection codes, each with a human message template."""

from __future__ import annotations

from typing import Any

# Code -> message template. Templates name the thing that is wrong with ``{placeholders}``
# filled from the keyword arguments given to ``RuleViolation``. Codes are stable: clients map
# them to their own copy, the server logs them, tests assert them.
ERRORS: dict[str, str] = {
    # unknown command, session state
    "action/unknown": "Unknown command '{command}'.",
    "session/closed": "The session has ended.",
    "session/started": "The session has already started.",
    # role
    "auth/forbidden": "Only {role} can send '{command}'.",
    "auth/unknown_learner": "Learner '{learner}' is not in this session.",
    # phase and round
    "phase/lobby": "The session has not started yet: wait for the facilitator to open round 1.",
    "phase/debrief": "The rounds are over: the session is in its debrief.",
    "round/closed": "Round '{round}' is not open.",
    "round/not_opened": "Round '{round}' has not been played yet.",
    "round/submitted": "Your team has submitted '{round}': ask the facilitator to reopen it.",
    "round/locked": "Round '{round}' is locked: time is up.",
    "round/not_submitted": "Team '{team}' has nothing submitted or locked in '{round}' to reopen.",
    "action/not_allowed": "{action} is not part of round '{round}'.",
    # clock
    "clock/paused": "The clock is already paused.",
    "clock/running": "The clock is not paused.",
    "clock/paused_editing": (
        "The facilitator has paused the round: your work is kept, and editing resumes when the "
        "clock restarts."
    ),
    "clock/stopped": "The clock of round '{round}' has stopped: reopen teams or advance.",
    "clock/too_short": (
        "Taking {minutes} minutes from '{round}' would leave less than a minute: advance to "
        "end the round now."
    ),
    # the stage
    "stage/unavailable": "The stage cannot show the {mode} now: {reason}.",
    # learners and teams
    "learner/already_joined": "Learner '{learner}' has already joined.",
    "learner/name_invalid": "A name must be 1 to {max} characters.",
    "team/none": "Join a team first.",
    "team/no_teams": "There are no teams yet.",
    "team/exists": "Team id '{team}' is already taken.",
    "team/name_invalid": "A team name must be 1 to {max} characters.",
    "team/name_taken": "A team is already called '{name}'.",
    "team/full": "Team '{team}' is full ({max} members).",
    "team/locked": "Team '{team}' is locked by the facilitator.",
    "team/already_member": "You are already in team '{team}'.",
    "team/locked_in_round": "Teams are fixed while a round runs; ask the facilitator to move you.",
    # references
    "ref/unknown_team": "There is no team '{team}'.",
    "ref/unknown_learner": "There is no learner '{learner}'.",
    "ref/unknown_round": "There is no round '{round}'.",
    "ref/unknown_diagnostic": "There is no diagnostic '{diagnostic}'.",
    "ref/unknown_cause": "There is no cause '{cause}'.",
    "ref/unknown_cell": "There is no cell '{cell}' in the cause taxonomy.",
    "ref/unknown_intervention": "There is no intervention '{intervention}'.",
    "ref/unknown_metric": "There is no metric '{metric}'.",
    "ref/unknown_isolation": "There is no isolation method '{isolation}'.",
    "ref/unknown_field": "There is no text field '{field}' in any deliverable.",
    "ref/unknown_inject": "There is no inject '{inject}'.",
    "ref/unknown_component": "There is no rubric component '{component}' in round '{round}'.",
    # rules on the team's own work
    "diagnostic/not_open": "'{name}' can only be run from round '{round}'.",
    "diagnostic/locked": "'{name}' is locked: another diagnostic must reveal it first.",
    "diagnostic/already_run": "Your team has already run '{name}'.",
    "pilot/none": "'{name}' cannot be piloted in this scenario.",
    "pilot/already_run": "Your team has already piloted '{name}'.",
    "evidence/unknown_finding": "Your team does not hold the finding of '{name}'.",
    "cause/ruled_out": "You ruled out '{label}': bring it back before declaring it.",
    "cause/declared": "You declared '{label}' as a cause: withdraw it before ruling it out.",
    "cause/not_declared": "'{label}' is not among your declared causes.",
    "intervention/not_selected": "'{name}' is not in your plan.",
    "metric/not_selected": "'{name}' is not in your evaluation plan.",
    "inject/not_received": "Your team has not received '{inject}'.",
    "inject/already_fired": "'{title}' has already been sent to {teams}.",
    "inject/disabled": "'{title}' is switched off for this session.",
    "deliverable/incomplete": "Complete these fields before submitting: {fields}.",
    # values
    "input/invalid": "The value of '{field}' is not valid: {reason}.",
    "input/out_of_range": "The value of '{field}' must be between {low} and {high}.",
    "text/empty": "{field} must not be empty.",
    "text/too_long": "{field} is longer than {max} characters.",
    "text/bad_update": "That edit of {field} could not be read ({reason}); the text is unchanged.",
    "text/missing_history": (
        "That edit of {field} builds on edits the server has not received: sync and resend."
    ),
    "team/changed": "You are no longer in that team: the edit was not saved to your new team.",
    # limits and budget
    "limit/max_causes": "Round '{round}' allows at most {max} declared causes.",
    "limit/max_interventions": "Round '{round}' allows at most {max} interventions.",
    "limit/max_metrics": "Round '{round}' allows at most {max} metrics.",
    "budget/insufficient": "Not enough budget: {short}.",
    # scoring
    "score/not_facilitator": "'{component}' is scored automatically, not by a level.",
    "score/level_range": "The level for '{component}' must be 1 to 4.",
    "score/override_range": "The override for '{component}' must be 0 to {max} points.",
    "score/reason_required": "An override of '{component}' needs a reason.",
}


class RuleViolation(Exception):
    """Raised inside ``decide`` when a command breaks a rule; becomes a ``Rejected``."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in ERRORS:
            # A typo in a code must fail loudly in tests, not reach a client.
            raise KeyError(f"unregistered error code {code!r}")
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        """Return the human message (formatted on demand: ``allowed_commands`` needs codes only)."""
        return ERRORS[self.code].format(**self.params)
