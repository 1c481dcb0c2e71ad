"""Testing tools for integrations: the tester, the fixture runner and message strategies."""
