"""The platform: settings, database and migrations, the web app, i18n and static assets."""
