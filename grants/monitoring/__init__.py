"""Monitoring: the returns grantees and providers send about what their money achieved."""
