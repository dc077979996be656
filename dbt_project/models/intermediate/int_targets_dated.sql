with

targets as (

    select * from {{ ref('stg_reference__targets') }}

),

terms as (

    select * from {{ ref('int_terms_dated') }}

),

final as (

    select
        targets.target_code,
        targets.term_code,
        targets.population,
        targets.metric,
        targets.comparator,
        targets.threshold,
        targets.description,
        targets.source_document,
        targets.title_level,
        -- A target that names its own day is measured on it, whatever the as-of date.
        coalesce(targets.reference_date, terms.reference_date) as reference_date
    from targets
    inner join terms
        on targets.term_code = terms.term_code

)

select * from final
