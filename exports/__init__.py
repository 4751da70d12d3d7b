"""Files the team sends out of grantflow: the panel pack, finance spreadsheets, 360Giving, reports."""
