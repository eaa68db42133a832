"""The demo data of campaigns, one module per step (each with `run(ctx)`), run by `seed_demo` in
the order config.demo lists: teams and agents, demo logins, accounts, campaigns and their targets,
the results of the running month, the agreements behind the orders."""
