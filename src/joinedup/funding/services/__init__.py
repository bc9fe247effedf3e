"""Every write in funding. One module per part; import them from their modules."""
