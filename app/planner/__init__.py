"""The weekly shift planner (Calendar → Shift planner): a page over the scheduling
service's shifts, with previews of every conflict before a change is saved."""
