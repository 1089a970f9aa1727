"""Shared pytest configuration: the GitHub stand-in's fixtures are available to every test."""

pytest_plugins = ["tests.fake_github.pytest_plugin"]
