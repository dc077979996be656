with

source as (

    select * from {{ source('submissions', 'positions') }}

),

final as (

    select
        unit_code,
        title_code,
        term_code,
        seats
    from source

)

select * from final
