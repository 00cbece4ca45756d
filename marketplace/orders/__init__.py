"""Cart, checkout, orders split per shop, stock holds, shipping rates and order states."""
