"""Officer dashboards, impact metrics, seller analytics and their exports. Reads programs,
catalog, orders and payments; nothing imports it."""
