"""Cross-domain pieces: errors, i18n and money formatting, mail, security headers."""
