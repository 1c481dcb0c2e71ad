"""Build, test and run customer-data integrations.

    from framework import integration

    class Acme(integration('Acme').endpoint('https://api.acme.test').ensure('settings.apiKey')):
        def track(self, msg):
            return self.post('/events').set('Authorization', self.settings['apiKey']).send(
                msg.json()).end()

or, in a form type checkers accept (``mypy --strict``)::

    @build(integration('Acme').endpoint('https://api.acme.test').ensure('settings.apiKey'))
    class Acme(Integration):
        def track(self, msg: Track) -> requests.Response: ...
"""

__version__ = "0.1.0"

from . import errors  # noqa: E402
# The submodule ``integration`` is imported before the function of the same name, so that the
# package attribute ``framework.integration`` is the builder function, not the module.
from .integration import Integration, Outcome  # noqa: E402
from .builder import BatchPolicy, Validation, build, integration, slugify  # noqa: E402

__all__ = ["__version__", "errors", "integration", "build", "Integration", "Outcome", "BatchPolicy",
           "Validation", "slugify"]
