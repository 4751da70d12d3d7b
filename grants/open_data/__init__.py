"""Open data: the awarded grants published to the 360Giving Data Standard."""
