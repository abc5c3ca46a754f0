"""The Telegram front end: `python -m bot run`.

app.py builds the Application (the one ApplicationBuilder); handlers.py and admin.py hold the handlers, flood.py
the per-person flood control; context.py gives handlers typed access to what post_init loaded; html.py,
keyboards.py, replies.py and texts.py shape what is sent; reading.py is the outline, search and names (no
Telegram in it); chart.py draws /stats off the event loop; run.py is the CLI subcommand and its logging.
"""
