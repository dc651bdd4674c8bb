"""What each staff role may do, in one table: the console asks here before it shows or changes
anything, and the answer is the same on every page."""

from __future__ import annotations

from store.models import Case, CaseStatus, StaffRole

R = StaffRole
SEE_CASES = {R.CLERK, R.INVESTIGATOR, R.SUPERVISOR}
SEE_EVERY_CASE = {R.CLERK, R.SUPERVISOR}          # an investigator sees the cases assigned to him
DOWNLOAD = {R.INVESTIGATOR, R.SUPERVISOR}
REVEAL = {R.SUPERVISOR}
EXPORT = {R.SUPERVISOR}          # the bundle holds the raw message, which names its sender
SEE_SELF = {R.CLERK, R.INVESTIGATOR, R.SUPERVISOR, R.AUDITOR, R.ADMIN}
ASSIGN = {R.CLERK, R.SUPERVISOR}
LABEL = {R.CLERK, R.SUPERVISOR}
MERGE = {R.CLERK, R.SUPERVISOR}
NOTE = {R.CLERK, R.INVESTIGATOR, R.SUPERVISOR}
AUDIT_LOG = {R.AUDITOR}
ACCOUNTS = {R.ADMIN}
STATS = {R.CLERK, R.SUPERVISOR, R.AUDITOR}
WARNINGS = {R.CLERK, R.SUPERVISOR}        # early warnings to units and the units' notifications
DECIDE_WARNINGS = {R.SUPERVISOR}

# Moves of the case procedure each role may make; the decisions that end or send a case away
# are the supervisor's to approve.
MOVES = {
    R.CLERK: {CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING},
    R.INVESTIGATOR: {CaseStatus.INVESTIGATING, CaseStatus.CONCLUDED},
    R.SUPERVISOR: set(CaseStatus),
}


def may(role: str, permission: set) -> bool:
    return role in permission


def sees_case(role: str, name: str, case: Case) -> bool:
    """Whether the account NAME in ROLE may open CASE (a case it may not see does not exist for it)."""
    if role in SEE_EVERY_CASE:
        return True
    return role == R.INVESTIGATOR and case.assignee == name


def may_move(role: str, status: str) -> bool:
    return status in MOVES.get(role, set())


def home(role: str) -> str:
    """The page an account lands on."""
    if role in SEE_CASES:
        return "/"
    return "/audit" if role in AUDIT_LOG else "/accounts"
