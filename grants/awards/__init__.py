"""Offers and grant agreements: awards made from approved bids, the grantee's acceptance, offer reminders."""
