{#- Fails for every combination of `columns` that appears more than once (the project uses
    no dbt Hub packages, so no dbt_utils). -#}
{% test unique_combination_of_columns(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
