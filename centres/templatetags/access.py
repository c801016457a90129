"""`{% may "clients:edit" client as may_edit %}`: whether the page's user may use that view
on that object, answered by the view's own `@access` rule (`centres.access.may`), so a link
or button shows exactly when following it would be let in. A template builtin."""

from django import template

from centres.access import may as user_may

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, url_name, obj=None):
    return user_may(context["request"].user, url_name, obj)
