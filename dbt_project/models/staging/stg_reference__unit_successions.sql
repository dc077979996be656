with

source as (

    select * from {{ source('reference', 'unit_successions') }}

),

final as (

    select
        predecessor_code,
        successor_code,
        effective_date
    from source

)

select * from final
