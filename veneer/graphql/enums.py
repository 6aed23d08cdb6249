"""Domain enums exposed to GraphQL under their domain names.

`strawberry.enum` registers the domain class itself, so resolvers pass domain values through
unchanged and the domain package never imports strawberry.
"""

import strawberry

from veneer.consent import Purpose

strawberry.enum(Purpose, description="What a viewer may allow Veneer to do.")

__all__ = ["Purpose"]
