"""A programme's officers word its emails: the list of its emails, editing one with a preview on a
real case, going back to the default wording (grants.email_wording does the wording itself)."""
