{#- A GitHub actor is a bot when GraphQL typed it `Bot`, or when its login carries the
    `[bot]` suffix that REST and commit metadata use for GitHub Apps. -#}
{% macro is_bot_login(login, actor_type=none) -%}
    (
        {%- if actor_type is not none %}
        coalesce({{ actor_type }} = 'Bot', false) or
        {%- endif %}
        coalesce({{ login }} like '%[bot]', false)
    )
{%- endmacro %}
