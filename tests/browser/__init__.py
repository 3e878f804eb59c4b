"""Browser tests of the built site (a package, so its module names never clash with tests/)."""
