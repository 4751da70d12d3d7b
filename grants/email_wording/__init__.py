"""Emails written for people: a programme's own wording of an email, with placeholders the sender fills in.

placeholders  the ((name)) syntax: finding, checking and filling placeholders in plain text
catalogue     which emails the service sends through a template (their keys) and what each one knows
wording       a programme's override if it has one, else the default wording, rendered
case_values   the values of one case (for a preview, or an email sent to a selection of cases)

This package sits below grants.notifications (which sends the transition emails through it), so it
imports no area and not grants.workflow: it reaches the engine through the app's extensions.
"""
