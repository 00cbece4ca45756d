"""Payments: Stripe card payments, bank transfers, refunds, the sellers' ledger and payouts."""
