"""The grantee's monitoring returns: the list of an organisation's returns, filling one in with the
application form engine, checking the answers, sending it (or sending it for sign-off), and signing
it off or sending it back as a second member of the organisation."""
