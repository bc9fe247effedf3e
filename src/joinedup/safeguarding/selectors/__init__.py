"""Every read of safeguarding work: through the access policy (the person's
record opened and audited once), then the sealed-content rule
(`rules.content_visible`): partners see that a case exists and whom to contact;
those working it see its content."""
