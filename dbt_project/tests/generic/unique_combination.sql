{#- No two rows share the same values in `columns` (a composite key). Written here because
    dbt packages such as dbt_utils cannot be fetched on these machines. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
