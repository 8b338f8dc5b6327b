"""The store: SQLModel tables, the event log and the repository over them."""
