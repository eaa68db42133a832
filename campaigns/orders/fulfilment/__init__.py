"""The fulfilment system (order registration, «наряды»): `client` speaks to it, `standin` plays it
on loopback for development, demos and tests."""
