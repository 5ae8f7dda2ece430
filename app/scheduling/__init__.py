"""The scheduling engine: what can be booked where and when. No HTTP here."""
