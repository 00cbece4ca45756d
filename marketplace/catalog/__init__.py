"""The storefront: shops, products and the catalogue (the home page lives here)."""
