with

source as (

    select * from {{ source('reference', 'units') }}

),

final as (

    select
        unit_code,
        unit_name,
        unit_kind,
        parent_code,
        valid_from,
        valid_to
    from source

)

select * from final
