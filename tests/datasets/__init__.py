"""Worked-out data sets that both an area's tests and the browser journeys build.

Browser tests import no area's helpers: what they share with an area's tests lives here or in tests/factories.py.
"""
