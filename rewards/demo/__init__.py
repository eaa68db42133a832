"""The demo data of rewards: the reward catalogue (`rules`) and the conversions job over the demo
months (`month`, run last by `seed_demo`)."""
