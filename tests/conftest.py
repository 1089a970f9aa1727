"""Shared pytest configuration.

The GitHub stand-in's fixtures (`fake_github`, `fake_github_factory`, `fake_github_token`) and its
`fake_github` marker come from `github_standin.pytest_plugin`, which the installed `github-standin`
package registers as a pytest plugin (a `pytest11` entry point; `make install` installs it).
"""
