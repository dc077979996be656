with

source as (

    select * from {{ source('reference', 'targets') }}

),

final as (

    select
        target_code,
        term_code,
        population,
        metric,
        comparator,
        threshold,
        description,
        source_document,
        reference_date,
        title_level
    from source

)

select * from final
