"""What the bot shows, apart from how it is shown: one reply model (`model`), built from a match or an entry
(`replies`), rendered as plain text (`plain`: the console, `ask`, `kb show`, the log) or Telegram HTML (`html`).
Pure: no Telegram, no SQLite, no settings."""
