{#- person_key (CONTRACT.md §4): lower-case hex HMAC-SHA256 of the UTF-8 national_id under
    the pseudonym key. Each engine provides the function; the key never enters SQL text. -#}
{% macro person_key(column) -%}
    {{ return(adapter.dispatch('person_key', 'nhanluc')(column)) }}
{%- endmacro %}

{% macro duckdb__person_key(column) -%}
    nhanluc_person_key({{ column }})
{%- endmacro %}
