with

source as (

    select * from {{ source('reference', 'terms') }}

),

final as (

    select
        term_code,
        term_kind,
        start_date,
        end_date
    from source

)

select * from final
