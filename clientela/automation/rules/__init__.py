"""The workflow rules' engine (issue 16 item 2), no pages in it:

- ``definition``: a rule's JSON (trigger, conditions, actions) checked whole, with the
  path of the first problem ("actions[1].tag"), and the parsed ``Definition``;
- ``dates``: the date fields a time-based trigger counts from (a birthday, a deal's
  close date…), each able to find the records due on a day with an index read;
- ``actions``: the registry of action types; each type's module acts through the
  owning app's service as the system user "Automation";
- ``engine``: one rule on one record: conditions, then the actions in order, each in a
  savepoint, logged as a ``RuleRun``; a "wait" parks the run until its time;
- ``subscriber``: the events subscriber "rules" (``core.events``), with the loop
  protection (a rule never re-fires on its own change; a chain stops at depth 5);
- ``sweep``: the worker's minute: date and schedule triggers due, waiting runs due.
"""
