{#- person_key (CONTRACT.md §4): lower-case hex HMAC-SHA256 of the UTF-8 national_id under
    the pseudonym key. Each engine provides the function; neither the key nor its pads
    ever enter SQL text, compiled files, dbt's logs or a database file. -#}
{% macro person_key(column) -%}
    {{ return(adapter.dispatch('person_key', 'nhanluc')(column)) }}
{%- endmacro %}

{#- Exists because DuckDB has no HMAC: the dbt-duckdb plugin registers a temp macro. -#}
{% macro duckdb__person_key(column) -%}
    nhanluc_person_key({{ column }})
{%- endmacro %}

{#- Exists because Spark has no HMAC either, and builds one from sha2/unhex over pads. -#}
{#- The pads are Spark variable references: Spark fills `${env:…}` in from the driver's
    environment when it parses the statement (orchestration/dbt_command.py sets it in session
    mode; a cluster's Thrift server must be started with it), so compiled SQL and dbt's
    logs only hold the reference. Missing pads raise rather than hash with an empty key.
    Never materialise a model using this as a view: Spark stores a view's text after
    substitution, pads included. -#}
{% macro spark__person_key(column) -%}
    {%- set inner_pad = "unhex('${env:NHANLUC_PERSON_KEY_INNER_PAD}')" -%}
    {%- set outer_pad = "unhex('${env:NHANLUC_PERSON_KEY_OUTER_PAD}')" -%}
    case
        when length({{ inner_pad }}) = 64 and length({{ outer_pad }}) = 64
            then sha2(concat(
                {{ outer_pad }},
                unhex(sha2(concat({{ inner_pad }}, cast({{ column }} as binary)), 256))
            ), 256)
        else raise_error('person_key: NHANLUC_PERSON_KEY_INNER_PAD/OUTER_PAD are not set')
    end
{%- endmacro %}

{#- Exists so that any other engine fails at compile time, not with an unkeyed hash. -#}
{% macro default__person_key(column) -%}
    {{ exceptions.raise_compiler_error("person_key has no implementation for " ~ adapter.type()) }}
{%- endmacro %}
