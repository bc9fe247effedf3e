"""Pure funding rules with their statutory source: NHS continuing healthcare
(the National Framework 2022, its checklist and decision support tool)."""
